import { Module } from '@nestjs/common';
import { TargetsModule } from '../control/targets.module';
import { ScalersModule } from '../scalers/scalers.module';
import { ExternalScalerService } from './external-scaler.service';

/** KEDA's external scaler gRPC server (when SMARTSCALE_KEDA_ENABLED): serves each keda target's decided count. */
@Module({
  imports: [TargetsModule, ScalersModule],
  providers: [ExternalScalerService],
})
export class KedaModule {}
