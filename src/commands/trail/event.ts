import {oclifCommand} from '../../cli/oclif.js'
import {event} from '../../cli/definitions/trail/event.js'

export default oclifCommand(event)
