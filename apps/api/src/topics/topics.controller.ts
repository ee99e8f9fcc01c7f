import { Controller, Get } from '@nestjs/common';
import { Topic, TOPICS } from '@libs/domain';

@Controller('api/topics')
export class TopicsController {
  @Get()
  list(): readonly Topic[] {
    return TOPICS;
  }
}
