import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ConversationContextService } from './conversation-context.service.js';
import { LeadMessage } from './lead-message.entity.js';
import { Lead } from './lead.entity.js';
import { LeadsController } from './leads.controller.js';
import { LeadsRepository } from './leads.repository.js';
import { LeadsService } from './leads.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([Lead, LeadMessage])],
  controllers: [LeadsController],
  providers: [LeadsRepository, ConversationContextService, LeadsService],
  exports: [LeadsRepository, ConversationContextService, LeadsService],
})
export class LeadsModule {}
