import {oclifCommand} from '../../cli/oclif.js'
import {send} from '../../cli/definitions/relay/send.js'

export default oclifCommand(send)
