import {oclifCommand} from '../../cli/oclif.js'
import {doctor} from '../../cli/definitions/trail/doctor.js'

export default oclifCommand(doctor)
