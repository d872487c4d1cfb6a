import {oclifCommand} from '../../../cli/oclif.js'
import {continuitySave} from '../../../cli/definitions/relay/continuity-save.js'

export default oclifCommand(continuitySave)
