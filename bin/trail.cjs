#!/usr/bin/env node
// The `trail` executable: hot commands run from the bundled fast path, everything else through oclif.
require('./fast-path.cjs').main('trail')
