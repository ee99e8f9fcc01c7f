import type { TopicSlug } from './taxonomy';

/**
 * A phrase searched case-insensitively in the title and abstract.
 * `pattern` is a JavaScript regular-expression source (Unicode mode) without capturing groups: use `(?:…)`.
 * Word boundaries are added around it, so `llms?` does not match inside `fullms`.
 * Within one topic, phrases are tried in list order at each position, so list the longer phrase first
 * (`vision transformers?` before `transformers?`) when both could start at the same word.
 * A weight <= 0 marks counter-evidence (e.g. "video diffusion" for image-generation): it lowers the
 * score, never shows as evidence, and hides the shorter phrases it contains.
 */
export interface PhraseRule {
  readonly pattern: string;
  readonly weight: number;
}

/** An arXiv category such as `cs.RO`; `q-bio.*` matches the whole archive (`q-bio`, `q-bio.GN`, …). */
export interface CategoryRule {
  readonly category: string;
  readonly weight: number;
}

/** A pattern (same syntax as PhraseRule) tested against each Hugging Face AI keyword; counts once per paper. */
export interface KeywordRule {
  readonly pattern: string;
  readonly weight: number;
}

export interface TopicRuleSet {
  readonly topic: TopicSlug;
  readonly phrases: readonly PhraseRule[];
  readonly categories: readonly CategoryRule[];
  readonly keywords: readonly KeywordRule[];
  /** Overrides the rule book's threshold for this topic. */
  readonly threshold?: number;
}

export interface TopicRuleBook {
  /** A topic is tagged when its score reaches this value. */
  readonly threshold: number;
  /** Multiplier for a phrase found in the title (counted once). */
  readonly titleWeight: number;
  /** Multiplier for a phrase found in a Hugging Face keyword (counted once, whichever keywords match it). */
  readonly keywordWeight: number;
  /** Multipliers for the 1st, 2nd, 3rd… abstract hit of one phrase; hits beyond the list add nothing. */
  readonly abstractRepeatWeights: readonly number[];
  /** Title and abstract are cut to this many characters: real abstracts are < 2,000, this bounds the cost. */
  readonly maxTextLength: number;
  readonly topics: readonly TopicRuleSet[];
}

/*
 * Weight scale: 3 = the phrase alone identifies the topic; 2 = strong hint; 1 = weak hint that needs company;
 * below 1 = context only. With threshold 3, one strong abstract hit or one medium title hit is enough.
 */
export const TOPIC_RULES: TopicRuleBook = {
  threshold: 3,
  titleWeight: 2,
  keywordWeight: 1,
  abstractRepeatWeights: [1, 0.5, 0.25],
  maxTextLength: 20_000,
  topics: [
    {
      topic: 'llm',
      phrases: [
        // Vision-language models are their own topic; these hide the "language model" inside them.
        { pattern: 'multi-?modal (?:large )?language models?', weight: -1 },
        { pattern: '(?:large )?vision[- ]language models?', weight: -1 },
        { pattern: 'm?llms? (?:for|on) (?:vision|images?|videos?)', weight: -1 },
        { pattern: '(?:video|image|visual|multi-?modal) llms?', weight: -1 },
        { pattern: 'mllms?|lvlms?|vlms?|lmms?|large multi-?modal models?', weight: -1 },
        // Audio-language models are multimodal in the same way.
        { pattern: '(?:large )?audio[- ]language models?', weight: -1 },
        { pattern: 'large language models?', weight: 3 },
        { pattern: 'llms?', weight: 3 },
        { pattern: 'small language models?|slms?', weight: 3 },
        { pattern: 'large reasoning models?|lrms?', weight: 2.5 },
        { pattern: 'pre-?trained language models?|plms?', weight: 2.5 },
        { pattern: 'language models?', weight: 2 },
        { pattern: 'language modell?ing', weight: 2 },
        // Encoder models predate "LLM" but are the same line of work; a vision "BERT-style" paper needs more.
        { pattern: 'bert|roberta|xlm-r\\w*|electra', weight: 1.5 },
        { pattern: 'multilingual (?:pre-?trained )?(?:models?|representations?)|pre-?trained multilingual', weight: 1.5 },
        { pattern: 'chatgpt|gpt-?[345](?:o|\\.5)?|gpt models?', weight: 2 },
        { pattern: 'llama(?:-?\\d(?:\\.\\d)?)?|mistral(?:-7b)?|qwen\\d*(?:\\.\\d)?|phi-\\d', weight: 2 },
        { pattern: 'claude(?:[- ]\\d(?:\\.\\d)?)?|gemini(?:[- ]\\d(?:\\.\\d)?)?|deepseek(?:-v\\d(?:\\.\\d)?)?|gpt-4\\.1|gpt-5', weight: 2 },
        { pattern: 'machine translation|nmt|natural language understanding|nlu', weight: 1.5 },
        { pattern: 'instruction[- ]tun(?:ing|ed)|instruct(?:ion)? models?', weight: 2 },
        { pattern: 'supervised fine-?tuning|sft', weight: 1.5 },
        {
          pattern: 'rlhf|reinforcement learning from human feedback|direct preference optimi[sz]ation|dpo',
          weight: 1.5,
        },
        { pattern: 'in-context learning|prompting', weight: 1.5 },
        { pattern: 'next[- ]token prediction|token generation|autoregressive (?:decoding|generation)', weight: 1.5 },
        { pattern: 'speculative (?:decoding|sampling)|kv[- ]cache', weight: 2 },
        { pattern: 'pre-?train(?:ing|ed)? (?:corpus|corpora|tokens|data)', weight: 1.5 },
        { pattern: 'perplexity', weight: 1 },
        { pattern: 'natural language processing|nlp', weight: 1 },
        { pattern: 'mixture[- ]of[- ]experts|moe', weight: 0.5 },
        { pattern: 'transformers?', weight: 0.5 },
      ],
      categories: [{ category: 'cs.CL', weight: 1.5 }],
      keywords: [
        { pattern: 'large language models?|llms?', weight: 3 },
        { pattern: 'language models?|instruction tuning|in-context learning', weight: 2 },
      ],
    },
    {
      topic: 'reasoning',
      phrases: [
        { pattern: 'chains?[- ]of[- ]thoughts?|cot', weight: 3 },
        { pattern: 'large reasoning models?|lrms?', weight: 3 },
        { pattern: '(?:test|inference)[- ]time (?:compute|computation|scaling|search|strategies|strategy)', weight: 3 },
        { pattern: '(?:test|inference)-time', weight: 1.5 },
        { pattern: 'inference (?:compute )?scaling|scaling (?:test-time|inference) compute', weight: 3 },
        { pattern: 'mathematical (?:reasoning|problem[- ]solving)|math word problems?', weight: 3 },
        {
          pattern: 'reasoning (?:models?|capabilit(?:y|ies)|abilit(?:y|ies)|traces?|tasks?|paths?|chains?|steps?)',
          weight: 2,
        },
        { pattern: '(?:logical|multi-hop|complex|mathematical) reasoning', weight: 2 },
        { pattern: 'reason(?:ing)?', weight: 1 },
        { pattern: 'process reward models?|prms?|generative verifiers?|verifiers?', weight: 2 },
        { pattern: 'best[- ]of[- ]n|self-consistency|majority voting|parallel sampling', weight: 2 },
        { pattern: 'overthinking|underthinking|long cots?|thinking (?:process|tokens?|budget)', weight: 2.5 },
        { pattern: 'gsm8k|gsm-symbolic|math-?500|math benchmarks?|aime(?: ?\\d{2,4})?|amc\\d*|gpqa', weight: 2 },
        { pattern: 'program[- ]of[- ]thoughts?|tree[- ]of[- ]thoughts?', weight: 2 },
        {
          pattern:
            'arithmetic(?: reasoning| tasks?| problems?)?|theorem proving|proof assistants?|autoformali[sz]ation',
          weight: 2,
        },
        { pattern: 'deepseek-r1|o1(?:-preview|-mini)?|o3-mini|quiet-star', weight: 1.5 },
        // Formal mathematics by models is reasoning (theory keeps proofs about learning).
        {
          pattern:
            '(?:automated |neural |formal )?theorem provers?|formal (?:proofs?|mathematics|verification)|lean ?4|mathlib|minif2f|putnambench',
          weight: 3,
        },
        { pattern: 'tree search|backtracking|sequential search', weight: 1.5 },
        { pattern: 'problem[- ]solving|puzzles?', weight: 1 },
      ],
      categories: [{ category: 'cs.LO', weight: 1.5 }],
      keywords: [
        { pattern: 'chain[- ]of[- ]thought|cot|reasoning', weight: 3 },
        { pattern: '(?:test|inference)[- ]time (?:compute|scaling)', weight: 3 },
      ],
    },
    {
      topic: 'agents',
      phrases: [
        {
          pattern: '(?:llm|ai|web|search|language|autonomous|gui|software|research|planner|action)[- ]agents?',
          weight: 3,
        },
        { pattern: 'llm-based agents?', weight: 3 },
        { pattern: 'agentic(?: \\w+)?', weight: 2.5 },
        { pattern: 'tool[- ](?:use|calling|learning)|function[- ]calling|function execution', weight: 2.5 },
        { pattern: 'deep research|model context protocol|mcp servers?', weight: 2 },
        { pattern: 'multi-agent (?:llm|frameworks?|collaboration|debate)', weight: 2.5 },
        // Agents in multi-agent RL and planners of robots are not LLM agents.
        { pattern: 'multi-agent reinforcement learning|marl', weight: -1 },
        { pattern: '(?:motion|path|trajectory) planning', weight: 0 },
        { pattern: 'agents?', weight: 0.5 },
        { pattern: 'planning', weight: 1 },
        { pattern: 'swe(?:-bench)?|webarena|alfworld', weight: 1 },
      ],
      categories: [{ category: 'cs.MA', weight: 2 }],
      keywords: [{ pattern: 'agents?|agentic|tool use', weight: 3 }],
    },
    {
      topic: 'multimodal',
      phrases: [
        { pattern: '(?:large )?vision[- ]language models?|v?lms? for vision|lvlms?|vlms?', weight: 3 },
        {
          pattern:
            'multi-?modal (?:large )?language models?|mllms?|multi-?modal llms?|lmms?|large multi-?modal models?',
          weight: 3,
        },
        { pattern: '(?:video|image|visual) llms?', weight: 3 },
        { pattern: 'visual question answering|vqa|visual instruction tuning', weight: 3 },
        { pattern: 'document (?:visual )?question answering|docvqa|(?:large )?audio[- ]language models?', weight: 3 },
        { pattern: 'llava[\\w.-]*|gpt-4v|gpt-4o|clip', weight: 2 },
        { pattern: 'vision[- ]language|image-text|text-image|visual-textual|cross-modal', weight: 2 },
        { pattern: '(?:visual|vision) tokens?|vision encoders?', weight: 2 },
        { pattern: 'image captioning|captions?|chart understanding|document understanding', weight: 1.5 },
        // Sensor fusion (camera + lidar) is not vision-language: only inputs and pretraining that pair images and text.
        { pattern: 'multi-?modal (?:inputs?|pre-?train\\w*)|image and text(?: pairs)?|images? and (?:their )?(?:texts?|captions)|text and images?', weight: 2 },
        { pattern: 'multi-?modal(?:ity|ities)?', weight: 0.75 },
        { pattern: 'open-vocabulary|zero-shot classification', weight: 1 },
      ],
      categories: [{ category: 'cs.MM', weight: 1.5 }],
      keywords: [{ pattern: 'vision-language|multimodal|mllms?|vlms?', weight: 3 }],
    },
    {
      topic: 'image-generation',
      phrases: [
        // Video generation is its own topic; these hide the "diffusion model" inside them.
        { pattern: 'video (?:diffusion|generation|synthesis|generative)(?: models?)?', weight: -2 },
        { pattern: 'text-to-video|t2v|i2v|v2v', weight: -1 },
        // A diffusion policy is a robot controller.
        { pattern: 'diffusion polic(?:y|ies)', weight: -2.5 },
        // Diffusion and flow matching for sound are audio.
        {
          pattern: 'raw audio|audio (?:generation|synthesis)|music generation|speech (?:generation|synthesis)|vocoders?|drum sounds?',
          weight: -2.5,
        },
        { pattern: 'text[- ]to[- ]image|t2i', weight: 3 },
        { pattern: 'stable diffusion|latent diffusion(?: models?)?|ldms?', weight: 3 },
        { pattern: 'diffusion models?|diffusion-based|diffusion transformers?|dits?', weight: 2.5 },
        { pattern: 'image (?:generation|synthesis|editing|inpainting)|(?:semantic|sketch|layout)-to-image', weight: 3 },
        { pattern: '(?:visual|high-resolution) generation|image generation models?', weight: 2 },
        {
          pattern:
            '(?:image|neural|artistic|photo-?realistic) style transfer|image-to-image translation|image manipulation|textures? (?:generation|generators?|synthesis)|(?:font|glyph) generation',
          weight: 3,
        },
        // Voice and text style transfer are not images.
        { pattern: 'style transfer', weight: 1 },
        { pattern: 'image generators?|stylegan\\w*|biggan|generative modell?ing|generation of (?:\\w+ )?images', weight: 2.5 },
        { pattern: 'flow matching|rectified flows?|score-based|consistency models?', weight: 3 },
        { pattern: 'generative adversarial networks?|gans?', weight: 2 },
        { pattern: 'generative models?', weight: 1 },
        { pattern: 'denois(?:ing|er)|inpainting|fid|unconditional generation', weight: 1 },
      ],
      // Sound papers borrow diffusion and flow matching from images; their category says what they generate.
      categories: [
        { category: 'cs.GR', weight: 1 },
        { category: 'cs.SD', weight: -3 },
      ],
      keywords: [
        { pattern: 'diffusion|text-to-image|flow matching|image generation|gans?', weight: 3 },
        { pattern: 'diffusion polic(?:y|ies)', weight: -3 },
      ],
    },
    {
      topic: 'video',
      phrases: [
        {
          pattern: 'video (?:generation|synthesis|diffusion|editing|understanding|question answering|llms?)',
          weight: 3,
        },
        { pattern: 'text-to-video|image-to-video|t2v|i2v|v2v|videoqa', weight: 3 },
        {
          pattern:
            'video (?:object )?segmentation|temporal action (?:localization|detection)|untrimmed videos?|multi-object tracking',
          weight: 3,
        },
        { pattern: 'long[- ]videos?(?: understanding)?|video clips?|video models?', weight: 2 },
        { pattern: 'action recognition|temporal (?:attention|consistency|coherence|modell?ing)', weight: 1.5 },
        { pattern: 'videos?', weight: 1 },
        { pattern: '(?:visual|single-object|multi-object) tracking|trackers?|tracking (?:tasks?|benchmarks?)', weight: 2.5 },
        { pattern: '(?:video|across) frames|object tracking', weight: 1.5 },
        { pattern: 'frames|spatio-temporal', weight: 0.5 },
        { pattern: 'sora|animatediff', weight: 2 },
        {
          pattern: '(?:long|streaming|egocentric|input|generated|real-world) videos?|video (?:frames|benchmarks?|tokens|reasoning|lmms?|mllms?)',
          weight: 2,
        },
      ],
      categories: [],
      keywords: [{ pattern: 'video', weight: 3 }],
    },
    {
      topic: 'vision',
      phrases: [
        // Generating or editing images is image generation: "image" there does not make it recognition.
        {
          pattern:
            'image[- ]to[- ](?:image|video)|image (?:generation|synthesis|editing|inpainting|compositing)|inpainting|text-to-image|generative adversarial networks?|gans?|(?:font|glyph) generation|style transfer|stylegan\\w*|(?:image )?generators?',
          weight: -1,
        },
        // Audio models borrow vision architectures ("spectrogram patches"); that does not make them vision.
        { pattern: 'spectrograms?|audio|speech', weight: -1 },
        { pattern: 'vision transformers?|vits?|deit(?:-[a-z])?|swin', weight: 3 },
        { pattern: '(?:object|remote sensing object) detection|detectors?|yolo\\w*', weight: 3 },
        { pattern: '(?:semantic|instance|panoptic|scene text) segmentation|segment anything(?: model)?', weight: 3 },
        { pattern: 'segmentation', weight: 2 },
        { pattern: '(?:human )?pose estimation|super-resolution|image classification|depth estimation', weight: 3 },
        { pattern: 'computer vision|visual recognition|scene text|text recognition|remote sensing', weight: 2 },
        // A graph convolution aggregates over neighbours, not pixels.
        { pattern: 'graph convolutions?', weight: 0 },
        { pattern: 'optical flow|metric learning|image retrieval|object discovery', weight: 2.5 },
        { pattern: 'visual representations?', weight: 1.5 },
        { pattern: 'convolutional neural networks?|cnns?|resnets?|mobilenets?|efficientnets?', weight: 1.5 },
        { pattern: 'imagenet(?:-1k)?|ms ?coco|coco|ade20k|cifar-?\\d*|mnist', weight: 1 },
        { pattern: 'sam', weight: 1 },
        { pattern: 'images?|visual|pixels?', weight: 0.5 },
        { pattern: 'image processing|feature maps?|receptive fields?|convolutions?', weight: 1 },
      ],
      categories: [
        { category: 'cs.CV', weight: 1.5 },
        { category: 'eess.IV', weight: 1 },
        { category: 'cs.SD', weight: -2 },
      ],
      keywords: [
        {
          pattern: 'object detection|segmentation|pose estimation|vision transformers?|image classification',
          weight: 3,
        },
      ],
    },
    {
      topic: '3d',
      phrases: [
        {
          pattern: '3d (?:reconstruction|scenes?|generation|objects?|shapes?|meshes|mesh|gaussians?|assets?)',
          weight: 3,
        },
        { pattern: '(?:3d )?gaussian splatting|3d-gs|nerfs?|neural radiance fields?', weight: 3 },
        { pattern: 'point clouds?|novel view synthesis|multi-view stereo|voxels?', weight: 3 },
        {
          pattern:
            'signed distance (?:functions?|fields?)|neural implicit (?:surfaces?|fields?)|surface reconstruction',
          weight: 3,
        },
        {
          pattern: 'volume rendering|volumetric (?:scene )?(?:rendering|representations?)|neural rendering|mesh reconstruction|3d (?:surfaces?|volumes?)',
          weight: 2.5,
        },
        { pattern: 'rgb-d|chamfer distance|camera poses?', weight: 1 },
        { pattern: 'gaussian (?:map|maps|mapping)|octree|meshes|lidar', weight: 1.5 },
        { pattern: '3d', weight: 0.75 },
      ],
      categories: [
        { category: 'cs.GR', weight: 1.5 },
        { category: 'cs.CG', weight: 1.5 },
      ],
      keywords: [{ pattern: '3d|nerf|gaussian splatting|point clouds?', weight: 3 }],
    },
    {
      topic: 'audio',
      phrases: [
        { pattern: '(?:automatic )?speech recognition|asr|text-to-speech|speech synthesis', weight: 3 },
        { pattern: 'speaker (?:verification|recognition|diarization)|wav2vec\\w*|whisper|hubert', weight: 3 },
        { pattern: 'music(?:al| generation| transcription)|spoken language|voice conversion', weight: 3 },
        { pattern: 'music', weight: 2 },
        {
          pattern:
            'sound event (?:detection|localization)|audio (?:tagging|classification|captioning)|acoustic scenes?',
          weight: 3,
        },
        { pattern: 'speech|spoken|audio-language', weight: 2 },
        { pattern: 'audio(?: generation)?|acoustic|voice|mel[- ]spectrograms?', weight: 1.5 },
        // "Sound" is also an adjective ("theoretically sound").
        { pattern: 'sounds?', weight: 0.5 },
      ],
      categories: [
        { category: 'cs.SD', weight: 3 },
        { category: 'eess.AS', weight: 3 },
      ],
      keywords: [{ pattern: 'speech|audio|music|asr|text-to-speech', weight: 3 }],
    },
    {
      topic: 'rl',
      phrases: [
        { pattern: 'deep reinforcement learning|drl', weight: 3 },
        { pattern: 'reinforcement learning', weight: 2.5 },
        { pattern: 'rl(?:hf|vr)?', weight: 2 },
        { pattern: 'self-play', weight: 2 },
        {
          pattern:
            'grpo|group relative policy optimi[sz]ation|rlvr|verifiable rewards?|reinforcement fine-?tuning|rl fine-?tuning',
          weight: 2.5,
        },
        {
          pattern: 'policy (?:optimization|gradients?)|actor-critic|q-learning|markov decision process(?:es)?|mdps?',
          weight: 2,
        },
        { pattern: 'ppo|sac|td3|dqn|muzero|alphazero|alphago', weight: 1.5 },
        { pattern: 'reward model(?:s|ing|ling)?', weight: 1.5 },
        { pattern: 'reward (?:functions?|shaping|signals?)', weight: 1 },
        {
          pattern:
            'goal-conditioned|hindsight (?:experience replay|relabell?ing)|value functions?|q-functions?|intrinsic rewards?|sparse rewards?|offline rl',
          weight: 2.5,
        },
        { pattern: 'mujoco|atari|gym(?:nasium)?', weight: 1.5 },
        { pattern: 'policy|policies|rewards?|trajectories|exploration|sample efficiency', weight: 0.5 },
      ],
      categories: [],
      keywords: [{ pattern: 'reinforcement learning|rl|policy optimization|reward', weight: 3 }],
    },
    {
      topic: 'efficiency',
      // Nearly every abstract says "efficient", "latency" or "resource-constrained", so ask for more evidence.
      threshold: 5,
      phrases: [
        { pattern: 'quantiz(?:ation|ed|ing|e)|ptq|qat|low[- ]bit|mixed[- ]precision|bit-?width', weight: 3 },
        { pattern: 'prun(?:ing|ed|e)|sparsif(?:y|ying|ication)|sparsity', weight: 3 },
        // Not bare "distill": it is part of model names such as DeepSeek-R1-Distill-Qwen.
        // Vector quantization in codecs and tokenizers discretises signals; it does not shrink a model.
        { pattern: '(?:residual )?vector quantization|vq-vae|rvq|quantized representations?|quantization process|codebooks?', weight: 0 },
        // Distilling features or policies transfers knowledge, it does not shrink a model.
        { pattern: '(?:feature|policy|score) distillation|distill(?:ing|ed|s)? (?:\\w+ )?features', weight: 0 },
        { pattern: '(?:knowledge )?distill(?:ation|ed|ing|s)', weight: 2.5 },
        { pattern: 'model compression|compress(?:ion|ing|ed)?', weight: 2 },
        {
          pattern: 'parameter-efficient|peft|lora|low-rank (?:adaptation|adapters?|approximation|decomposition)',
          weight: 3,
        },
        {
          pattern:
            'on-device|edge (?:devices?|llms?|servers?|deployment)|microcontrollers?|mcus?|mobile devices?|iot devices?',
          weight: 2.5,
        },
        { pattern: 'token (?:pruning|merging|dropping|budgets?)|token-efficient|visual token merging', weight: 3 },
        {
          pattern:
            'speculative (?:decoding|sampling)|early[- ]exit(?:ing)?|adaptive computation|dynamic networks?|dynamic (?:vision )?transformers?|redundant computations?',
          weight: 2.5,
        },
        {
          pattern: 'lightweight (?:models?|networks?|architectures?|backbones?)|compact (?:models?|architectures?)',
          weight: 2.5,
        },
        // A "lightweight tool" or "lightweight evaluator" is not an efficient model.
        { pattern: 'lightweight|tiny|slim(?:mable|ming)?', weight: 1.5 },
        {
          pattern:
            'sparse attention|linear attention|attention[- ]free|linear (?:time |memory )?complexity|state[- ]space models?|ssms?|mamba\\w*|sub-?quadratic|quadratic (?:complexity|cost)',
          weight: 2,
        },
        {
          pattern:
            '(?:compute|gpu|cost|parameter|token|inference|training|memory)[- ]efficien(?:t|cy)|trainable parameters|efficient (?:variants?|transformers?|attention)',
          weight: 2,
        },
        {
          pattern:
            '\\d+(?:\\.\\d+)?x faster|\\d+ (?:to \\d+ )?times faster|single (?:commodity |consumer )?gpu|faster (?:training|inference|sampling|decoding)|(?:compute|resource) (?:requirements|allocation|budgets?)|(?:\\d+(?:\\.\\d+)?x )?(?:less|fewer) (?:training |inference )?(?:compute|flops|memory)|kv[- ]cache|sparse mixture-of-experts',
          weight: 1.5,
        },
        {
          pattern:
            'efficient (?:inference|training|fine-tuning|architectures?|reasoning|prompting|models?)|efficient (?:\\w+ )?(?:solvers?|samplers?)|fast(?:er)? sampling',
          weight: 2,
        },
        {
          pattern:
            'memory[- ](?:efficient|saving|bound)|memory (?:footprint|consumption|costs?|usage|requirements?|complexity)|peak memory',
          weight: 2,
        },
        {
          pattern: 'resource[- ](?:constrained|limited|efficient)|low-resource|limited (?:memory|resources)',
          weight: 1.5,
        },
        {
          pattern: 'computational (?:cost|costs|overhead|complexity|efficiency)|compute budgets?|flops|gflops|macs',
          weight: 1,
        },
        { pattern: 'inference (?:speed|latency|time|cost|efficiency|acceleration)|latency|speed-?ups?', weight: 1 },
        {
          pattern: 'energy[- ]efficien(?:t|cy)|energy consumption|power consumption|spiking neural networks?',
          weight: 1.5,
        },
        { pattern: 'efficient(?:ly)?|efficiency|accelerat(?:e|es|ed|ing|ion)', weight: 0.75 },
      ],
      categories: [],
      keywords: [
        { pattern: 'quantization|pruning|distillation|compression|on-device|lora|parameter-efficient', weight: 3 },
        { pattern: 'efficient|efficiency|lightweight', weight: 1.5 },
      ],
    },
    {
      topic: 'systems',
      phrases: [
        {
          pattern:
            'distributed (?:training|inference|computing)|(?:data|tensor|pipeline|model|expert) parallel(?:ism)?',
          weight: 2.5,
        },
        {
          pattern: '(?:llm|model|inference) serving|serving systems?|inference systems?|inference clusters?',
          weight: 3,
        },
        { pattern: 'compilers?|mlir|llvm|xla|operator fusion', weight: 3 },
        {
          pattern: 'hardware (?:accelerators?|acceleration|co-design|limits?|cost models?)|co-design|accelerators?',
          weight: 2.5,
        },
        {
          pattern: 'gpu (?:clusters?|utilization|kernels?)|datacenters?|data centers?|supercomputers?|exascale',
          weight: 2.5,
        },
        // Convolution kernels are a vision notion, not compute kernels.
        { pattern: '(?:large|convolution(?:al)?|\\d+x\\d+) kernels?(?: convs?| convolutions?)?', weight: 0 },
        { pattern: 'cuda|triton|kernels|fpgas?|asics?|npus?|tpus?', weight: 2 },
        {
          pattern: 'federated (?:learning|setting|fine-tuning)|split (?:learning|computing)|cloud-edge|edge-cloud',
          weight: 2,
        },
        { pattern: 'zero-infinity|zero-series|deepspeed|megatron(?:-lm)?|vllm|llama\\.cpp', weight: 2 },
        { pattern: 'throughput|load balancing|slos?|service-level|request rates?|gpu memory', weight: 1.5 },
        {
          pattern: 'edge (?:servers?|computing)|collaborative inference|jetson\\w*|serving|requests per second',
          weight: 1.5,
        },
        { pattern: 'federated', weight: 1.5 },
        { pattern: 'cloud (?:providers?|computing|platforms?|services?|resources?|deployments?)', weight: 1.5 },
        { pattern: 'communication (?:overhead|costs?|bandwidth)|interconnects?|bandwidth|i/o|offloading', weight: 1.5 },
        {
          pattern: 'ssds?|nvme|flash memory|dram|memory hierarchy|cpu-gpu|heterogeneous (?:hardware|computing|gpus?)',
          weight: 2,
        },
        {
          pattern: 'hardware|cpus?|gpus?|scheduling|power (?:consumption|budgets?)|system(?:-level)? design',
          weight: 0.75,
        },
      ],
      categories: [
        { category: 'cs.DC', weight: 2.5 },
        { category: 'cs.AR', weight: 2.5 },
        { category: 'cs.PF', weight: 2.5 },
        { category: 'cs.OS', weight: 2.5 },
        { category: 'cs.NI', weight: 1.5 },
        { category: 'cs.PL', weight: 1 },
      ],
      keywords: [
        { pattern: 'distributed training|serving|compiler|hardware accelerat\\w*|gpu clusters?|kernels?', weight: 3 },
      ],
    },
    {
      topic: 'retrieval',
      phrases: [
        // Retrieval heads are attention heads inside a language model.
        { pattern: 'retrieval heads?|best-of-n re-?ranking', weight: 0 },
        { pattern: 'retrieval[- ]augmented(?: generation)?|rag', weight: 3 },
        {
          pattern: 'information retrieval|dense retrieval|retrievers?|re-?rank(?:ing|ers?)|bm25|colbert\\w*',
          weight: 3,
        },
        { pattern: 'retrieval(?:-based)?|datastores?|multi-vector', weight: 2 },
        {
          pattern: '(?:text|sentence|document) embeddings?|embedding models?|vector (?:search|databases?)',
          weight: 2.5,
        },
        { pattern: 'search engines?|knowledge-intensive|passages?|documents|retriev(?:e|ed|es|ing)', weight: 1 },
        { pattern: '(?:text|passage|document) ranking', weight: 2 },
      ],
      categories: [{ category: 'cs.IR', weight: 2 }],
      keywords: [{ pattern: 'retrieval|rag|retrievers?|embeddings?|re-?ranking', weight: 3 }],
    },
    {
      topic: 'code',
      phrases: [
        // "Code is available at …" closes many abstracts and says nothing about the topic.
        {
          pattern:
            '(?:the |our )?(?:source |inference )?code(?: repo(?:sitory)?)?(?: and (?:pre-trained |final )?(?:models?|data(?:sets?)?|weights|checkpoints))? (?:is|are|will be|has been|have been) (?:publicly |made )?(?:available|released|open-sourced)',
          weight: 0,
        },
        {
          pattern: '(?:source )?code (?:(?:is |released )?at|released)|release (?:the |our )?(?:source )?code',
          weight: 0,
        },
        {
          pattern: 'code (?:generation|llms?|large language models?|language models?|models?|optimization|completion)',
          weight: 3,
        },
        { pattern: 'program synthesis|source code|software engineering|code-generating|coding assistants?', weight: 3 },
        { pattern: 'humaneval\\+?|mbpp\\+?|livecodebench|codeforces|swe-bench', weight: 1 },
        { pattern: 'code|coding|executable programs?|python(?:-based)?', weight: 1.5 },
        { pattern: 'programs?|programming|debugging|unit tests?', weight: 0.75 },
      ],
      categories: [
        { category: 'cs.SE', weight: 2.5 },
        { category: 'cs.PL', weight: 2 },
      ],
      keywords: [{ pattern: 'code|program synthesis|programming', weight: 3 }],
    },
    {
      topic: 'robotics',
      phrases: [
        // Web agents navigate pages, not rooms.
        { pattern: '(?:web|gui|app|website|document) navigation', weight: 0 },
        { pattern: 'robots?|robotic(?:s)?|embodied (?:ai|agents?)|sim-to-real|sim2real|legged|quadrupeds?', weight: 3 },
        // D4RL and Gym "locomotion" tasks are simulated RL benchmarks.
        { pattern: 'locomotion', weight: 2 },
        { pattern: 'vision-language-action(?: models?)?|vlas?|humanoids?|dexterous|teleoperat\\w*', weight: 3 },
        // Not bare "grasp": models "grasp" concepts too.
        { pattern: 'grasping|end-effectors?|manipulators?|visuomotor', weight: 2 },
        { pattern: 'autonomous driving|self-driving|v2x|vehicle-to-everything|cooperative perception', weight: 3 },
        { pattern: 'slam|simultaneous localization and mapping|odometry|motion planning', weight: 3 },
        { pattern: 'autonomous vehicles?|manipulation|navigation|drones?|uavs?', weight: 2 },
        { pattern: 'lidar|imu|inertial|vehicles?|embodied', weight: 1 },
      ],
      categories: [{ category: 'cs.RO', weight: 3 }],
      keywords: [{ pattern: 'robot\\w*|autonomous driving|embodied|slam', weight: 3 }],
    },
    {
      topic: 'science',
      phrases: [
        {
          pattern: 'partial differential equations?|pdes?|neural (?:pde )?solvers?|physics-(?:informed|constrained)',
          weight: 3,
        },
        {
          pattern: 'neural operators?|fourier neural operators?|deeponet|(?:weather|climate) (?:forecasting|models?|prediction)|quantum chemistry|density functional theory',
          weight: 3,
        },
        { pattern: 'fluid dynamics|navier-stokes|conservation laws?|dynamical systems?|turbulen(?:t|ce)', weight: 2.5 },
        // Signals of the body and the brain are medicine and neuroscience whatever model reads them.
        {
          pattern: 'eeg|ecg|electro(?:encephalo|cardio)gra(?:m|ms|phy)|fmri|neuroimaging|connectom\\w*|neuroscience',
          weight: 3,
        },
        {
          pattern: 'molecular (?:conformations?|graphs?|structures?|simulations?)|drug\\w*|ligands?|peptides?|antibod(?:y|ies)|enzymes?|materials (?:discovery|design)|crystal structures?',
          weight: 2.5,
        },
        { pattern: 'chaotic (?:systems?|dynamics)|chaos', weight: 2 },
        {
          pattern: 'high-energy physics|particle physics|hl-lhc|lhc|cms experiment|astrophysic\\w*|astronom\\w*',
          weight: 3,
        },
        {
          pattern: 'ogbn?-proteins',
          weight: 0,
        },
        {
          pattern: 'protein\\w*|genom\\w*|single-cell|molecular (?:dynamics|property|design|generation)|drug discovery',
          weight: 3,
        },
        {
          pattern: '(?:medical|clinical|biomedical) (?:domain|context|imaging|text|knowledge|data)|ai4(?:research|science)',
          weight: 3,
        },
        {
          pattern: 'medical|clinical|biomedical|healthcare|medicine|patients?|radiology|pathology|biolog(?:y|ical)',
          weight: 2,
        },
        {
          pattern: 'scientific (?:research|discovery|computing|simulations?|experiments?|disciplines?|gpt)',
          weight: 2,
        },
        {
          pattern:
            'physics|physical (?:constraints|dynamics|laws)|chemistry|chemical|materials science|climate|weather',
          weight: 2,
        },
        {
          pattern:
            'radiograph\\w*|radiologists?|x-rays?|hospitals?|diagnosis|mri|ct scans?|electronic health records?|ehrs?|clinicians?|physicians?|lungs?|cardiac|tumou?rs?|cancers?|diseases?',
          weight: 2,
        },
        { pattern: 'scientific|dna|molecules?', weight: 1 },
        { pattern: 'simulations?', weight: 0.5 },
      ],
      categories: [
        { category: 'q-bio.*', weight: 3 },
        { category: 'physics.*', weight: 3 },
        { category: 'astro-ph.*', weight: 3 },
        { category: 'cond-mat.*', weight: 3 },
        { category: 'hep-ex', weight: 3 },
        { category: 'hep-ph', weight: 3 },
        { category: 'hep-th', weight: 3 },
        { category: 'gr-qc', weight: 3 },
        { category: 'quant-ph', weight: 2 },
        { category: 'math.NA', weight: 1.5 },
        { category: 'math.AP', weight: 1.5 },
        { category: 'cs.CE', weight: 1.5 },
        { category: 'math.DS', weight: 1.5 },
      ],
      keywords: [{ pattern: 'pdes?|physics|protein|molecul\\w*|medical|biolog\\w*|chemistry|scientific', weight: 3 }],
    },
    {
      topic: 'safety',
      phrases: [
        { pattern: 'jailbreak\\w*|red[- ]teaming|backdoors?|watermark\\w*|deepfakes?|membership inference', weight: 3 },
        { pattern: 'adversarial (?:attacks?|examples?|robustness|perturbations?)|prompt injection', weight: 3 },
        { pattern: 'concept bottleneck|mechanistic interpretability|sparse autoencoders?', weight: 3 },
        { pattern: 'representation engineering|activation steering|steering vectors?|saes?', weight: 2.5 },
        {
          pattern:
            'differentially private|privacy[- ](?:budgets?|preserving|risks?)|(?:machine )?unlearning|unfair(?:ness)?',
          weight: 3,
        },
        { pattern: 'counterfactual explanations?|feature attributions?|saliency maps?', weight: 2 },
        { pattern: 'worst-group|group robustness', weight: 3 },
        { pattern: 'spurious correlations?', weight: 1.5 },
        { pattern: 'interpretab(?:le|ility)|explainab(?:le|ility)|xai', weight: 2 },
        {
          pattern: 'ai safety|safety alignment|harmful(?:ness)?|toxic(?:ity)?|fairness|differential privacy',
          weight: 3,
        },
        {
          pattern: 'hallucinations?|trustworth(?:y|iness)|misuse|malicious(?:ly)?|denial-of-service|captchas?',
          weight: 2,
        },
        { pattern: 'safety|security|privacy|attacks?|defenses?|interpretations?|concept intervention', weight: 1 },
      ],
      categories: [
        { category: 'cs.CR', weight: 3 },
        { category: 'cs.CY', weight: 1.5 },
      ],
      keywords: [
        { pattern: 'safety|alignment|interpretab\\w*|jailbreak|privacy|fairness|adversarial attacks?', weight: 3 },
      ],
    },
    {
      topic: 'data',
      phrases: [
        {
          pattern:
            'synthetic data (?:generation|synthesis)|data (?:curation|filtering|synthesis|selection|scaling)|(?:dataset|data) discovery',
          weight: 3,
        },
        { pattern: 'synthetic (?:data|datasets?)', weight: 2.5 },
        {
          pattern:
            'evaluati(?:on|ng) (?:of )?(?:(?:large|small|pre-trained) )?(?:language|reasoning|vision-language) models?',
          weight: 1.5,
        },
        { pattern: '(?:new|novel|first|comprehensive|challenging) (?:benchmark|dataset)(?: dataset)?', weight: 2.5 },
        {
          pattern: '(?:new|novel|open[- ]source|public|unified) (?:\\w+ ){1,2}(?:benchmark|dataset|corpus)|(?:speech|asr|audio|annotated|multilingual) corpus',
          weight: 2,
        },
        // Speech and video sets are sized in hours; a model paper rarely states its data that way.
        { pattern: '\\d[\\d,]* hours of (?:\\w+ ){0,2}(?:audio|speech|video|recordings)', weight: 1.5 },
        { pattern: '(?:benchmark|dataset) (?:to evaluate|designed|tailored|consisting|features)', weight: 2 },
        { pattern: 'benchmark(?:ing|s)?|bench', weight: 1 },
        {
          pattern:
            'data (?:quality|processing|pipelines?|cleaning|deduplication|budgets?|annotation)|annotation costs?',
          weight: 2,
        },
        { pattern: 'curat(?:ed|ing|ion)|annotated|quality control|contamination|leaderboards?', weight: 1.5 },
        { pattern: 'evaluation (?:framework|paradigm|methodology|suite|protocol|datasets?|benchmarks?)', weight: 2 },
        { pattern: '(?:comprehensive|systematic|large-scale) (?:evaluation|empirical study|audit)', weight: 2 },
        { pattern: 'release (?:the|our|a) (?:\\w+ )?(?:benchmark|dataset|labels|corpus)', weight: 2 },
        {
          pattern: '(?:introduce|present|propose|build|construct) (?:a|an) (?:new |large-scale )?(?:benchmark|dataset)',
          weight: 2,
        },
        {
          pattern: 'human (?:ratings|annotations|judgments|preferences)|(?:step|token|span)-level annotations',
          weight: 2,
        },
        { pattern: 'label (?:errors|noise)|mislabell?ed|test sets?|web data|web-scale (?:data|corpora)', weight: 1.5 },
        { pattern: 'datasets?|evaluat(?:e|ed|ing|ion)', weight: 0.5 },
      ],
      categories: [{ category: 'cs.DL', weight: 1 }],
      keywords: [{ pattern: 'benchmark|dataset|synthetic data|data curation|evaluation', weight: 3 }],
    },
    {
      topic: 'theory',
      phrases: [
        // A passing "current scaling laws show…" is not a scaling-law paper: needs the title or a second hint.
        { pattern: 'scaling laws?|power[- ]law', weight: 2.5 },
        {
          pattern: 'learning theory|generali[sz]ation bounds?|sample complexity|regret(?: bounds?)?|pac-bayes',
          weight: 3,
        },
        {
          pattern:
            'fine-grained complexity|np-hard|(?:near|almost)-linear time|polynomial time|learning rate schedules?|infinite(?:ly)?[- ]wide|neural tangent kernels?|stochastic block models?|linear(?:ly)? separab(?:le|ility)',
          weight: 2.5,
        },
        {
          pattern:
            'lower bounds?|upper bounds?|(?:stochastic )?gradient descent|sgd|convex(?: optimization)?|non-convex',
          weight: 1.5,
        },
        { pattern: 'multi-armed bandits?|bandits?|active learning|information[- ]theoretic', weight: 2.5 },
        {
          pattern: 'clustering|k-means|gaussian mixture models?|evolutionary algorithms?|quality[- ]diversity',
          weight: 2,
        },
        { pattern: 'search algorithms?|optimal hyperparameters?|hyperparameter optimization', weight: 1.5 },
        {
          pattern: 'theoretical (?:analysis|framework|questions?|foundations?)',
          weight: 2,
        },
        { pattern: 'information bottleneck|invariant risk minimi[sz]ation', weight: 1.5 },
        { pattern: 'theoretical(?:ly)?|saturation point', weight: 1.5 },
        // Theorem proving by models is reasoning, not theory.
        { pattern: '(?:automated |machine-assisted )?theorem proving|proof assistants?', weight: 0 },
        { pattern: 'theorem|proofs?|prov(?:e|es|ed|ably)|convergence', weight: 1 },
        {
          pattern:
            'implicit (?:bias|regulari[sz]ation)|max(?:imum)?-margin|margin maximi[sz]ation|edge of stability|gradient flows?',
          weight: 2.5,
        },
        {
          pattern:
            'spectral (?:gap|analysis|perspective)|mathematical (?:modell?ing|formulations?|analysis)|optimal solutions?',
          weight: 1.5,
        },
        { pattern: 'compute-optimal', weight: 0.75 },
        { pattern: 'optimization|hyperparameters?|probabilistic', weight: 0.5 },
      ],
      categories: [
        // Nearly every ML paper cross-lists stat.ML: a hint, not half a tag.
        { category: 'stat.ML', weight: 1 },
        { category: 'math.OC', weight: 2.5 },
        { category: 'math.ST', weight: 2.5 },
        { category: 'stat.TH', weight: 2.5 },
        { category: 'cs.DS', weight: 2 },
        { category: 'cs.CC', weight: 3 },
        { category: 'cs.IT', weight: 2 },
        { category: 'cs.GT', weight: 2 },
        { category: 'cs.NE', weight: 1 },
      ],
      keywords: [{ pattern: 'scaling laws?|convergence|optimization|learning theory|generalization bound', weight: 3 }],
    },
    {
      topic: 'recsys',
      phrases: [
        {
          pattern: 'recommender systems?|recommendation (?:systems?|models?|scenarios?)|collaborative filtering',
          weight: 3,
        },
        { pattern: 'click-through rate|ctr(?: prediction)?|user-item|users and items', weight: 3 },
        // "We recommend practitioners…" is advice, not a recommender.
        { pattern: 'recommend(?:ation|ations|ing)', weight: 2 },
        { pattern: 'personaliz(?:ed|ation)', weight: 0.5 },
        // Ranking passages for a query is retrieval; only with other hints is it ranking items for users.
        { pattern: 'ranking', weight: 0.25 },
      ],
      categories: [{ category: 'cs.IR', weight: 1.5 }],
      keywords: [{ pattern: 'recommend\\w*|click-through|collaborative filtering', weight: 3 }],
    },
    {
      topic: 'graphs',
      phrases: [
        {
          pattern:
            'graph neural networks?|gnns?|graph transformers?|graph convolutional networks?|gcns?|graph networks?|graph convolutions?',
          weight: 3,
        },
        {
          pattern: 'knowledge graphs?|node classification|link prediction|graph classification|message passing',
          weight: 3,
        },
        { pattern: 'graphormer|graphgps|graphtrans|ogbg?-\\w+|ogb', weight: 2 },
        { pattern: 'network (?:analysis|science|motifs?)|complex networks?|community detection', weight: 1.5 },
        { pattern: 'graphs?|nodes|edges', weight: 0.75 },
      ],
      categories: [
        { category: 'cs.SI', weight: 2 },
        { category: 'cs.DM', weight: 1 },
      ],
      keywords: [{ pattern: 'graph', weight: 3 }],
    },
  ],
};
