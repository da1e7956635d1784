import { ONLY } from './env.js'
import { runHttpBench } from './http/index.js'
import { runRotationBench } from './rotation/index.js'
import { runVerifyBench } from './verify/index.js'

const log = (line: string) => console.log(line)
if (ONLY.has('verify')) await runVerifyBench(log)
if (ONLY.has('rotation')) await runRotationBench(log)
if (ONLY.has('http')) await runHttpBench(log)
