import { ApiProperty } from '@nestjs/swagger';
import { TokenView } from './tokens.dto';

export class TokenOwnerView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'dev@example.com' }) email!: string;
  @ApiProperty({ example: 'Dana Developer' }) name!: string;
}

export class OrganizationTokenView extends TokenView {
  @ApiProperty({ type: TokenOwnerView }) owner!: TokenOwnerView;
}

export class OrganizationTokenPage {
  @ApiProperty({ type: [OrganizationTokenView] }) items!: OrganizationTokenView[];
  @ApiProperty({ nullable: true, type: String, description: 'Pass as ?cursor= for the next page' })
  nextCursor!: string | null;
}
