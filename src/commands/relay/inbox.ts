import {oclifCommand} from '../../cli/oclif.js'
import {inbox} from '../../cli/definitions/relay/inbox.js'

export default oclifCommand(inbox)
