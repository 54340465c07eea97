import { Logger } from '@nestjs/common';

// Unit specs build guards and services directly, and those log through Nest's static Logger (a
// coloured console dump per warning). The e2e apps log through pino at TEST_LOG_LEVEL; the static
// Logger follows the same switch: silent unless TEST_LOG_LEVEL asks for output.
if (!process.env.TEST_LOG_LEVEL || process.env.TEST_LOG_LEVEL === 'silent') Logger.overrideLogger(false);
