import {oclifCommand} from '../../cli/oclif.js'
import {exportCommand} from '../../cli/definitions/trail/export.js'

export default oclifCommand(exportCommand)
