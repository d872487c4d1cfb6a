import {oclifCommand} from '../../../cli/oclif.js'
import {continuityUncertain} from '../../../cli/definitions/relay/continuity-uncertain.js'

export default oclifCommand(continuityUncertain)
