import {oclifCommand} from '../../cli/oclif.js'
import {disable} from '../../cli/definitions/trail/incumbent.js'

export default oclifCommand(disable)
