import { Module } from '@nestjs/common';
import { KedaDecisions } from '../keda/keda-decisions';
import { ScalersService } from './scalers.service';

/**
 * One scaler per target, of every kind (local, webhook, kubernetes, shadow, keda). KedaDecisions is
 * provided here, not in KedaModule: the keda scaler kind publishes to it, and KedaModule's gRPC server
 * (which also needs TargetsModule, itself built on this module) only reads it.
 */
@Module({
  providers: [ScalersService, KedaDecisions],
  exports: [ScalersService, KedaDecisions],
})
export class ScalersModule {}
