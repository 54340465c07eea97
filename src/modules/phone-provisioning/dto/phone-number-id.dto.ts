import { ApiProperty } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';

/** Body of DELETE /phone-numbers/assign and POST /phone-numbers/webhooks; query of GET /phone-numbers/webhooks. */
export class PhoneNumberIdDto {
  @ApiProperty()
  @IsUUID()
  phoneNumberId: string;
}
