import {oclifCommand} from '../../cli/oclif.js'
import {enable} from '../../cli/definitions/trail/incumbent.js'

export default oclifCommand(enable)
