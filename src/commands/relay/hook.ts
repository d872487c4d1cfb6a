import {oclifCommand} from '../../cli/oclif.js'
import {hook} from '../../cli/definitions/relay/hook.js'

export default oclifCommand(hook)
