import {oclifCommand} from '../../cli/oclif.js'
import {start} from '../../cli/definitions/trail/start.js'

export default oclifCommand(start)
