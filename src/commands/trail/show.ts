import {oclifCommand} from '../../cli/oclif.js'
import {show} from '../../cli/definitions/trail/show.js'

export default oclifCommand(show)
