#!/bin/sh
# relay-trail git hook: {{hook}}
# Installed by `trail init --hooks`; `trail init --remove hooks` takes it out and puts back the hook it replaced.
# It links commits made during an agent's trajectory to that trajectory (see docs/reviewers.md in relay-trail, "Linking
# commits to trajectories"). It never stops a commit: the hook that was here before (kept as {{hook}}.before-trail) runs first
# and its exit status is this hook's; relay-trail's own step only ever warns.
chained="$(dirname "$0")/{{hook}}.before-trail"
{{body}}
