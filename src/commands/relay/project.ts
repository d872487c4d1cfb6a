import {oclifCommand} from '../../cli/oclif.js'
import {project} from '../../cli/definitions/relay/project.js'

export default oclifCommand(project)
