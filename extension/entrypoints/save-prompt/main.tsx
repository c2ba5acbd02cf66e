import { render } from 'preact';
import { SavePrompt } from '../../in-page/save-prompt.tsx';

const root = document.getElementById('app');
if (root) render(<SavePrompt session={location.hash.slice(1)} />, root);
