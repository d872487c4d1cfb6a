import {oclifCommand} from '../../cli/oclif.js'
import {completion} from '../../cli/definitions/relay/completion.js'

export default oclifCommand(completion)
