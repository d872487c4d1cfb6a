import {oclifCommand} from '../../cli/oclif.js'
import {importCommand} from '../../cli/definitions/trail/import.js'

export default oclifCommand(importCommand)
