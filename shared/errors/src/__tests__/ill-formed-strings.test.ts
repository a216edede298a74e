import { findIllFormedString, findIllFormedStringInJson } from '../index';

const inJson = (value: unknown) => {
  const text = JSON.stringify(value);
  return findIllFormedStringInJson(text, JSON.parse(text));
};

describe('ill-formed strings (lone UTF-16 surrogates) in request values', () => {
  it('names the path of the first lone surrogate, in values and in keys, at any depth', () => {
    // Arrange
    const values = [
      { query: 'q', variables: { input: { name: 'Store \ud800' } } },
      { variables: { r: [{ id: 'a' }, { id: 'b\udc00' }] } },
      { variables: { ['key\ud83d']: 1 } },
      ['ok', '\udfff'],
      'alone \ud800',
    ];

    // Act
    const found = values.map((value) => findIllFormedString(value));
    const foundInJson = values.map(inJson);

    // Assert
    expect(found).toEqual(['variables.input.name', 'variables.r.1.id', 'variables.<key>', '1', '']);
    expect(foundInJson).toEqual(found);
  });

  it('accepts well-formed text, including surrogate pairs written raw or as escapes', () => {
    // Arrange
    const pairAsEscapes = '{"variables":{"name":"Store \\ud83c\\udfec"}}';

    // Act
    const raw = inJson({ variables: { name: 'Store 🏬', list: ['a', 'b'], n: 1, none: null } });
    const escaped = findIllFormedStringInJson(pairAsEscapes, JSON.parse(pairAsEscapes));

    // Assert
    expect(raw).toBeNull();
    expect(escaped).toBeNull();
  });

  it('finds a lone surrogate written as an escape in either case of hex digits', () => {
    // Arrange
    const texts = ['{"a":"\\uD800"}', '{"a":"x\\udbff"}', '{"a":["\\uDc00"]}', '{"\\udfffk":1}'];

    // Act
    const found = texts.map((text) => findIllFormedStringInJson(text, JSON.parse(text)));

    // Assert
    expect(found).toEqual(['a', 'a', 'a.0', '<key>']);
  });

  it('a path prefix is kept in front of the found path', () => {
    expect(findIllFormedString({ name: '\ud800' }, 'input')).toBe('input.name');
    expect(findIllFormedString('\ud800', 'input')).toBe('input');
  });
});
