import { Module } from '@nestjs/common';
import { WindowsConsumer } from './windows.consumer';
import { WindowsService } from './windows.service';

@Module({ providers: [WindowsService, WindowsConsumer] })
export class WindowsModule {}
