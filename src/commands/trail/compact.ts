import {oclifCommand} from '../../cli/oclif.js'
import {compact} from '../../cli/definitions/trail/incumbent.js'

export default oclifCommand(compact)
