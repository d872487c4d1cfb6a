import {oclifCommand} from '../../cli/oclif.js'
import {shellComplete} from '../../cli/definitions/trail/completion.js'

export default oclifCommand(shellComplete)
