import {oclifCommand} from '../../cli/oclif.js'
import {completion} from '../../cli/definitions/trail/completion.js'

export default oclifCommand(completion)
