import {oclifCommand} from '../../cli/oclif.js'
import {complete} from '../../cli/definitions/trail/complete.js'

export default oclifCommand(complete)
