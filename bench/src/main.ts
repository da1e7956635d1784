import { ONLY } from './env.js'
import { runVerifyBench } from './verify/index.js'

const log = (line: string) => console.log(line)
if (ONLY.has('verify')) await runVerifyBench(log)
