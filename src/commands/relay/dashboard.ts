import {oclifCommand} from '../../cli/oclif.js'
import {dashboard} from '../../cli/definitions/relay/dashboard.js'

export default oclifCommand(dashboard)
