// Lint: typescript-eslint with type information (docs/development.md, "Lint and format").
// Formatting is Prettier's (.prettierrc.json); eslint-config-prettier turns off the rules it owns.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'data/**', 'test/fixtures/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['eslint.config.mjs', 'jest.config.cjs'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // A promise nobody awaits is a bug unless it says so: `void promise` for fire-and-forget.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      // A new member of a union (a call outcome, a status) is a compile-time decision everywhere it is switched on.
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      // Safe with decorator metadata: with type information the rule leaves imports that Nest's DI reads at run time.
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    // Pure domain code: no framework, no database, no clock (STYLE.md). Time comes in as a parameter.
    files: ['src/**/domain/**/*.ts'],
    ignores: ['src/**/domain/**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@nestjs/*', 'typeorm', 'typeorm/*', 'pg', '@electric-sql/*', 'ioredis', 'ws', 'twilio'],
              message: 'domain/ is pure: no Nest, TypeORM, database, network or provider SDK.',
            },
            {
              group: ['**/*.service.js', '**/*.repository.js', '**/*.controller.js', '**/*.module.js', '**/*.entity.js'],
              message: 'domain/ is pure: it may not reach into services, repositories, controllers, modules or entities.',
            },
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: 'domain/ takes the time as a parameter (no clock).' },
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'domain/ takes the time as a parameter (no clock).' },
      ],
    },
  },
  {
    // Tests read what they check from untyped sources (light-my-request's res.json(), pg rows, parsed
    // wire frames) and assert its shape with expect(); their fakes implement async ports synchronously.
    // Typing every such read would add casts, not safety. Production code gets no such exemption.
    files: ['test/**/*.ts', 'src/**/*.spec.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    files: ['**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { globals: { require: 'readonly', module: 'writable', process: 'readonly' } },
  },
  {
    // Jest reads its configuration as CommonJS, where require() is the only import there is.
    files: ['**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  prettier,
);
