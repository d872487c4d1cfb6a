import {oclifCommand} from '../../cli/oclif.js'
import {shellComplete} from '../../cli/definitions/relay/completion.js'

export default oclifCommand(shellComplete)
