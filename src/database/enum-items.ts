/**
 * The values of a string union as an array that must name every one of them (a missing value is
 * a compile error): the items of an `@Enum` whose CHECK constraint lists exactly these values, in
 * the order the constraint lists them.
 */
export function allOf<T extends string>() {
  return <const A extends readonly T[]>(
    items: A & ([Exclude<T, A[number]>] extends [never] ? unknown : never),
  ): T[] => [...items];
}
