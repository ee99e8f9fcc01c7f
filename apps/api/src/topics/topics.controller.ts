import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Topic, TOPICS } from '@libs/domain';

@ApiTags('Topics')
@Controller('api/topics')
export class TopicsController {
  @Get()
  list(): readonly Topic[] {
    return TOPICS;
  }
}
