import { Module } from '@nestjs/common';
import { ScalersModule } from '../scalers/scalers.module';
import { TemporalModule } from '../worker/temporal.module';
import { TargetsController } from './targets.controller';
import { TargetsService } from './targets.service';

/**
 * The targets and their controller workflows: the REST control surface and the service that starts and
 * signals them. Access to every route (ControlAccessGuard) is installed for the whole app by
 * createWorkerApp, so that no route of another module can miss it.
 */
@Module({
  imports: [TemporalModule, ScalersModule],
  controllers: [TargetsController],
  providers: [TargetsService],
  // The console and the KEDA external scaler read the targets and their status.
  exports: [TargetsService],
})
export class TargetsModule {}
