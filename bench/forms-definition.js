// The form both sides of the forms benchmark work with: 30 fields (strings with lengths and
// patterns, formats, numbers, enums, a boolean), one JSON Forms rule (company shown only for the
// self-employed) and one if/then (email or phone required by the contact preference), and a
// submission that fills it.
const text = (extra = {}) => ({ type: 'string', minLength: 1, maxLength: 200, ...extra });

const properties = {
  firstName: text(),
  lastName: text(),
  email: { type: 'string', format: 'email' },
  phone: text({ pattern: '^[0-9+ ()-]{6,20}$' }),
  contact: { enum: ['email', 'phone'] },
  birthDate: { type: 'string', format: 'date' },
  street: text(),
  city: text(),
  postcode: text({ pattern: '^[A-Z0-9 -]{3,10}$' }),
  country: { type: 'string', enum: ['FR', 'DE', 'GB', 'US', 'ES', 'IT'] },
  selfEmployed: { type: 'boolean' },
  company: text(),
  website: { type: 'string', format: 'uri' },
  income: { type: 'number', minimum: 0, maximum: 10_000_000 },
  dependants: { type: 'integer', minimum: 0, maximum: 20 },
  startDate: { type: 'string', format: 'date' },
  occupation: text(),
  employer: text(),
  reference: text({ pattern: '^[A-Z]{2}-[0-9]{4}$' }),
  comments: { type: 'string', maxLength: 2000 },
};
// Ten free-text answers make the thirty.
for (let index = 21; index <= 30; index += 1) properties[`answer${index}`] = text();

export const dataSchema = {
  type: 'object',
  properties,
  required: ['firstName', 'lastName', 'contact', 'country', 'company'],
  if: { properties: { contact: { const: 'email' } }, required: ['contact'] },
  then: { required: ['email'] },
  else: { required: ['phone'] },
};

export const uiSchema = {
  type: 'VerticalLayout',
  elements: [
    ...Object.keys(properties)
      .filter((name) => name !== 'company')
      .map((name) => ({ type: 'Control', scope: `#/properties/${name}` })),
    { type: 'Control', scope: '#/properties/company', rule: { effect: 'SHOW', condition: { scope: '#/properties/selfEmployed', schema: { const: true } } } },
  ],
};

const answers = Object.fromEntries(Object.keys(properties).filter((name) => name.startsWith('answer')).map((name) => [name, `value of ${name}`]));

/** A complete submission (self-employed, so the company is shown and required). */
export const submission = {
  firstName: 'Ada',
  lastName: 'Lovelace',
  email: 'ada@example.com',
  phone: '+44 20 7946 0000',
  contact: 'email',
  birthDate: '1815-12-10',
  street: '12 St James Square',
  city: 'London',
  postcode: 'SW1Y 4JH',
  country: 'GB',
  selfEmployed: true,
  company: 'Analytical Engines Ltd',
  website: 'https://example.com/ada',
  income: 52000.5,
  dependants: 3,
  startDate: '1833-06-05',
  occupation: 'Mathematician',
  employer: 'Herself',
  reference: 'AL-1843',
  comments: 'Notes on the engine.',
  ...answers,
};
