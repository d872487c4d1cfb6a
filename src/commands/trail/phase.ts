import {oclifCommand} from '../../cli/oclif.js'
import {phase} from '../../cli/definitions/trail/phase.js'

export default oclifCommand(phase)
