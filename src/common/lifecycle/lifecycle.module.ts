import { Global, Module } from '@nestjs/common';
import { ReadinessProbes } from '../health/readiness-probes.js';
import { ShutdownService } from './shutdown.service.js';

@Global()
@Module({ providers: [ShutdownService, ReadinessProbes], exports: [ShutdownService, ReadinessProbes] })
export class LifecycleModule {}
