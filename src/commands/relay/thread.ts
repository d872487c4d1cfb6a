import {oclifCommand} from '../../cli/oclif.js'
import {thread} from '../../cli/definitions/relay/thread.js'

export default oclifCommand(thread)
