import {oclifCommand} from '../../cli/oclif.js'
import {init} from '../../cli/definitions/trail/init.js'

export default oclifCommand(init)
