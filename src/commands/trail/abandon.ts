import {oclifCommand} from '../../cli/oclif.js'
import {abandon} from '../../cli/definitions/trail/abandon.js'

export default oclifCommand(abandon)
