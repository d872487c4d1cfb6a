import {oclifCommand} from '../../cli/oclif.js'
import {list} from '../../cli/definitions/trail/list.js'

export default oclifCommand(list)
