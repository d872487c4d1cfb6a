import {oclifCommand} from '../../cli/oclif.js'
import {decision} from '../../cli/definitions/trail/decision.js'

export default oclifCommand(decision)
