import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ConversationContextService } from './conversation-context.service.js';
import { LeadMessage } from './lead-message.entity.js';
import { Lead } from './lead.entity.js';
import { LeadsRepository } from './leads.repository.js';

@Module({
  imports: [TypeOrmModule.forFeature([Lead, LeadMessage])],
  providers: [LeadsRepository, ConversationContextService],
  exports: [LeadsRepository, ConversationContextService],
})
export class LeadsModule {}
