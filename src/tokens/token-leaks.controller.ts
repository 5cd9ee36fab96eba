import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsString, MaxLength } from 'class-validator';
import { Public } from '../common/access/auth-rule.decorator';
import { CommonErrorCode } from '../common/errors/common-errors';
import { ApiErrors } from '../common/http/openapi-decorators';
import { ReqMeta, RequestMeta } from '../common/http/request-meta';
import { TokenLeaksService } from './token-leaks.service';
import { CarriesSecret } from '../common/http/carries-secret';

export class TokenLeakReportDto {
  @ApiProperty({
    type: [String],
    maxItems: 100,
    description: 'Raw tokens found where they should not be',
  })
  @CarriesSecret()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(200, { each: true })
  tokens!: string[];
}

/** The same answer whether the strings were live, dead or made up: no oracle (SPEC §2a). */
export class TokenLeakReceipt {
  @ApiProperty({ description: 'How many strings were received', example: 1 }) received!: number;
}

@ApiTags('token leaks')
@Controller('api/v1/token-leaks')
export class TokenLeaksController {
  constructor(private readonly leaks: TokenLeaksService) {}

  @Post()
  @HttpCode(202)
  @Public()
  @ApiOperation({
    operationId: 'reportTokenLeaks',
    summary: 'Report exposed tokens (e.g. from a secret scanner): each live one is revoked at once',
    description:
      'Anyone holding a token may report it. Each revocation is audited (by: leak_report) and its ' +
      'owner is emailed. The answer is the same whether the strings were live, already dead or ' +
      'made up. Throttled per IP.',
  })
  @ApiAcceptedResponse({ type: TokenLeakReceipt })
  @ApiErrors(CommonErrorCode.RateLimited)
  report(
    @Body() body: TokenLeakReportDto,
    @ReqMeta() meta: RequestMeta,
  ): Promise<TokenLeakReceipt> {
    return this.leaks.report(body.tokens, meta);
  }
}
