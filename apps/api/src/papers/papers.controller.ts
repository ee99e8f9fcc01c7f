import { Controller, Get, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { SearchPapersDto } from './dto/search-papers.dto';
import { PaperPage, PapersService } from './papers.service';

@ApiTags('Papers')
@Controller('api/papers')
export class PapersController {
  constructor(private readonly papers: PapersService) {}

  @Get()
  search(@Query() query: SearchPapersDto): Promise<PaperPage> {
    return this.papers.search(query);
  }
}
