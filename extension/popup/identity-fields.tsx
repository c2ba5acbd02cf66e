import { t } from '../i18n/index.ts';
import { type SectionProps, TextField } from './editor-field.tsx';

/** An identity: name, company, how to reach the person, postal address. */
export function IdentityFields({ section }: { section: SectionProps }) {
  return (
    <>
      <TextField name="honorific" label={t('editor.honorific')} section={section} />
      <TextField name="firstName" label={t('editor.firstName')} section={section} />
      <TextField name="middleName" label={t('editor.middleName')} section={section} />
      <TextField name="lastName" label={t('editor.lastName')} section={section} />
      <TextField name="company" label={t('editor.company')} section={section} />
      <TextField name="email" label={t('editor.email')} section={section} inputMode="email" />
      <TextField name="phone" label={t('editor.phone')} section={section} inputMode="tel" />
      <TextField name="address1" label={t('editor.address1')} section={section} />
      <TextField name="address2" label={t('editor.address2')} section={section} />
      <TextField name="city" label={t('editor.city')} section={section} />
      <TextField name="region" label={t('editor.region')} section={section} />
      <TextField name="postalCode" label={t('editor.postalCode')} section={section} />
      <TextField name="country" label={t('editor.country')} section={section} />
    </>
  );
}
