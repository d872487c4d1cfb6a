import {oclifCommand} from '../../cli/oclif.js'
import {why} from '../../cli/definitions/trail/why.js'

export default oclifCommand(why)
