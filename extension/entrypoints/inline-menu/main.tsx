import { render } from 'preact';
import { InlineMenu } from '../../in-page/inline-menu.tsx';

const root = document.getElementById('app');
if (root) render(<InlineMenu session={location.hash.slice(1)} />, root);
