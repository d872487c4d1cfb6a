import {oclifCommand} from '../../cli/oclif.js'
import {reflect} from '../../cli/definitions/trail/reflect.js'

export default oclifCommand(reflect)
