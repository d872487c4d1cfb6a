import {oclifCommand} from '../../cli/oclif.js'
import {status} from '../../cli/definitions/trail/status.js'

export default oclifCommand(status)
